"""The embeds' URLs, under /embed/ (milidip.urls includes them in the "embeds" namespace)."""

app_name = "embeds"

urlpatterns = []
