"""The top bar's theme button (light, dark or as the system says) and the account page's language,
kept per person."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.preferences import Language, Theme, language_set, theme_set


class ThemeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        theme = request.POST.get("theme", "")
        if theme not in Theme.values:
            return render(request, "400.html", status=400)
        theme_set(user=request.user, theme=theme)
        back = request.POST.get("next", "")
        hosts = {request.get_host()}
        if not url_has_allowed_host_and_scheme(back, allowed_hosts=hosts, require_https=request.is_secure()):
            back = "/"
        return redirect(back)


class LanguageView(LoginRequiredMixin, View):
    """The account page's language form: "" follows the browser, else one of settings.LANGUAGES."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language")
        if language not in Language.values:
            return render(request, "400.html", status=400)
        language_set(user=request.user, language=language)
        return redirect("accounts:account")
