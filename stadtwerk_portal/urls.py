"""Root URL configuration. Every app mounts its own URLconf under a German path."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Stadtwerk-Portal – Verwaltung"
admin.site.site_title = "Stadtwerk-Portal"
admin.site.index_title = "Verwaltung"

urlpatterns = [
    path("", include("core.urls")),
    path("preisbremsen-rechner/", include("tariffs.urls")),
    path("konto/kontakte/", include("contacts.urls.customer")),
    path("konto/", include("customers.urls")),
    path("kuendigen/", include("customers.urls_cancellation")),
    path("service/", include("contacts.urls.agent")),
    path("vertrieb/", include("contacts.urls.sales")),
    path("admin/", admin.site.urls),
]
