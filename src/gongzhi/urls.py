"""Root URLconf: each app's HTML under its own prefix, the REST API under /api/v1/."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language

from gongzhi.core.api import api

handler404 = "gongzhi.core.views.not_found"
handler403 = "gongzhi.core.views.forbidden"
handler500 = "gongzhi.core.views.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("regions/", include("gongzhi.regions.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("party/", include("gongzhi.party.urls")),
    path("insights/", include("gongzhi.insights.urls")),
    path("intelligence/", include("gongzhi.intelligence.urls")),
    path("", include("gongzhi.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
