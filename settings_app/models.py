from django.db import models


class SystemSetting(models.Model):
    """One stored value per registry label; NULL means the registry default."""

    label = models.CharField(max_length=64, unique=True, editable=False)
    value = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_column="createdAt")
    last_updated_at = models.DateTimeField(auto_now=True, db_column="lastUpdatedAt")

    class Meta:
        db_table = "system_settings"
        ordering = ("label",)
        verbose_name = "system setting"

    def __str__(self):
        return self.label
