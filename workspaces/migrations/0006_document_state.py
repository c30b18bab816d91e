"""Ingestion state on workspace_documents. Documents that exist already were processed
in the upload request, so they start out ready; new rows start queued."""

from django.db import migrations, models

STATUS_CHOICES = [
    ("queued", "Queued"), ("extracting", "Reading"), ("indexing", "Indexing"), ("ready", "Ready"), ("failed", "Failed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0005_chat_log_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspacedocument",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default="ready", max_length=16),
        ),
        migrations.AlterField(
            model_name="workspacedocument",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default="queued", max_length=16),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="status_reason",
            field=models.TextField(blank=True, default="", help_text="Why processing failed, in words for people."),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="progress_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="progress_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="reindexing",
            field=models.BooleanField(
                default=False,
                help_text="A ready document being re-indexed: its current passages serve until the new ones.",
            ),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="attempts",
            field=models.PositiveIntegerField(
                default=0, help_text="Runs started for this document; a task carries the number it was queued for."
            ),
        ),
        migrations.AddField(
            model_name="workspacedocument",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, null=True,
                help_text="Last sign of life of the run holding this document (empty: not claimed).",
            ),
        ),
        migrations.AddIndex(
            model_name="workspacedocument",
            index=models.Index(fields=["status", "heartbeat_at"], name="documents_status_heartbeat"),
        ),
    ]
