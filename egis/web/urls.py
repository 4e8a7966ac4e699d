from django.urls import path

from egis.web import (
    views_admin,
    views_audit,
    views_auth,
    views_bot_forms,
    views_bots,
    views_exits,
    views_hooks,
    views_notifications,
    views_portfolio,
    views_settings,
    views_signals,
)

urlpatterns = [
    path("login", views_auth.login_view, name="login"),
    path("logout", views_auth.logout_view, name="logout"),
    path("", views_bots.dashboard, name="dashboard"),
    path("bots/new", views_bot_forms.bot_new, name="bot-new"),
    path("bots/<int:bot_id>", views_bots.bot_show, name="bot-show"),
    path("bots/<int:bot_id>/edit", views_bot_forms.bot_edit, name="bot-edit"),
    path("bots/<int:bot_id>/delete", views_bots.bot_delete_view, name="bot-delete"),
    path("bots/<int:bot_id>/orders/open", views_bots.order_open_view, name="order-open"),
    path(
        "bots/<int:bot_id>/positions/<int:position_id>/close",
        views_bots.order_close_view,
        name="order-close",
    ),
    path(
        "bots/<int:bot_id>/positions/<int:position_id>/archive",
        views_bots.position_archive_view,
        name="position-archive",
    ),
    path("bots/<int:bot_id>/paper-sync", views_bots.paper_sync_view, name="paper-sync"),
    path(  # exits (issue 12): the Edit exits sheet
        "bots/<int:bot_id>/positions/<int:position_id>/exits",
        views_exits.exits_edit_view,
        name="position-exits",
    ),
    path("bots/<int:bot_id>/hook", views_signals.hook_create_view, name="hook-create"),
    path("bots/<int:bot_id>/hook/rotate", views_signals.hook_rotate_view, name="hook-rotate"),
    path("bots/<int:bot_id>/hook/revoke", views_signals.hook_revoke_view, name="hook-revoke"),
    path("bots/<int:bot_id>/hook/enabled", views_signals.hook_enabled_view, name="hook-enabled"),
    # Cockpit (egis.portfolio): history, export, pause, close all.
    path("bots/<int:bot_id>/activity", views_portfolio.bot_activity, name="bot-activity"),
    path("bots/<int:bot_id>/export.csv", views_portfolio.bot_export, name="bot-export"),
    path("bots/<int:bot_id>/pause", views_portfolio.bot_pause_view, name="bot-pause"),
    path("bots/<int:bot_id>/close-all", views_portfolio.bot_close_all_view, name="bot-close-all"),
    path("hooks/<str:hook_id>", views_hooks.hook_receive, name="hook-receive"),
    path("incidents", views_admin.incidents, name="incidents"),
    path(
        "incidents/<int:incident_id>/resolve",
        views_admin.incident_resolve_view,
        name="incident-resolve",
    ),
    path("users", views_admin.users, name="users"),
    path("users/new", views_admin.user_new, name="user-new"),
    path("users/<int:user_id>/role", views_admin.user_role, name="user-role"),
    path(
        "users/<int:user_id>/deactivate", views_admin.user_deactivate_view, name="user-deactivate"
    ),
    path("users/<int:user_id>/activate", views_admin.user_activate_view, name="user-activate"),
    path("audit", views_audit.audit_index, name="audit"),
    path("users/<int:user_id>/unlock", views_admin.user_unlock_view, name="user-unlock"),
    path(
        "users/<int:user_id>/password-reset",
        views_admin.user_password_reset_view,
        name="user-password-reset",
    ),
    path("settings", views_settings.settings_page, name="settings"),
    path("settings/password", views_settings.password_change, name="password-change"),
    path("settings/tokens", views_settings.token_new, name="token-new"),
    path(
        "settings/tokens/<int:token_id>/revoke",
        views_settings.token_revoke_view,
        name="token-revoke",
    ),
    path("settings/accounts", views_settings.account_new, name="account-new"),
    # Notifications (egis.notifications)
    path(
        "settings/notifications",
        views_notifications.notifications_update,
        name="notifications-update",
    ),
    path("settings/notifications/test", views_notifications.notifications_test, name="notify-test"),
    path(
        "settings/notifications/webhook-secret",
        views_notifications.notifications_secret_rotate,
        name="notify-secret-rotate",
    ),
]
