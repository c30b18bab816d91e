from django.db import models


class TimestampedModel(models.Model):
    """The `createdAt` / `lastUpdatedAt` pair every Docent table carries."""

    created_at = models.DateTimeField(auto_now_add=True, db_column="createdAt")
    last_updated_at = models.DateTimeField(auto_now=True, db_column="lastUpdatedAt")

    class Meta:
        abstract = True
