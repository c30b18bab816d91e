from settings_app.services import settings_all


def branding(request):
    values = settings_all()
    return {
        "branding": {
            "app_name": values["custom_app_name"],
            "page_title": values["meta_page_title"],
            "support_email": values["support_email"],
            "footer_links": values["footer_links"],
        }
    }
