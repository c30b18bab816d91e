"""Asking on the chat page, for the chat tests."""

ANSWER_SENTENCE = "The warranty covers water damage for three years after purchase."


def chat_url(workspace):
    return f"/w/{workspace.slug}/chat/"


def ask(client, workspace, prompt):
    return client.post(chat_url(workspace), {"prompt": prompt})
