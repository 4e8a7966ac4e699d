"""The JSON API v1 (django-ninja): parse, check access, call a service, render.

Mounted at /api/v1/ (egis.urls); schema at /api/v1/openapi.json, docs at /api/v1/docs.
"""
