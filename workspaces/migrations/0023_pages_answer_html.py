"""Issue 30: each answer's Markdown is rendered once, when the answer ends, and stored (`text_html`).

The rows already there get theirs here, rendered as the chat page rendered them (every row is kept;
an answer still being written gets its HTML when it ends). A row this misses (one written by an older
release during a rolling upgrade) is rendered as it is shown, as before."""

from django.db import migrations, models

BATCH = 500


def fill_text_html(apps, schema_editor):
    from workspaces.chats.rendering import stored_answers_render

    chats = apps.get_model("workspaces", "WorkspaceChat")
    stored_answers_render(chats.objects.filter(text_html__isnull=True), batch=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0022_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspacechat",
            name="text_html",
            field=models.TextField(
                blank=True, editable=False, null=True,
                help_text="The answer's text as sanitised HTML, stored when the answer ended; empty while it is written.",
            ),
        ),
        migrations.RunPython(fill_text_html, migrations.RunPython.noop, elidable=True),
    ]
