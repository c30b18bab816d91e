from django.urls import path

from workspaces.api.openai import views

app_name = "openai"

urlpatterns = [
    path("models", views.ModelListView.as_view(), name="models"),
    path("models/<str:model>", views.ModelDetailView.as_view(), name="model"),
    path("chat/completions", views.ChatCompletionsView.as_view(), name="chat-completions"),
]
