"""Binance USDⓈ-M Futures: a thin signed adapter of our own on httpx (see venue.BinanceVenue)."""
