"""Each host's search index (workspaces/retrieval/search_index.py) learns what changed from the database:
a document added, deleted or given a status raises its workspace's `searchVersion` and writes one
`retrieval_index_changes` row with that version. The update locks the workspace's row, so versions
are taken in commit order, without gaps. Existing workspaces start at 0: each host builds its
folders from the passages on their first search (or `manage.py search_index_build`)."""

from django.db import migrations, models

# {row}: NEW or OLD; the same three statements on both databases.
BUMP = """UPDATE workspaces SET "searchVersion" = "searchVersion" + 1 WHERE id = {row}."workspaceId";
    INSERT INTO retrieval_index_changes ("workspaceId", version, "documentId", "createdAt")
    SELECT id, "searchVersion", {row}.id, {now} FROM workspaces WHERE id = {row}."workspaceId";"""

# (name, event, condition, row)
TRIGGERS = [
    ("insert", "INSERT", "NEW.status = 'ready'", "NEW"),
    ("status", "UPDATE OF status", "NEW.status = 'ready' OR OLD.status = 'ready'", "NEW"),
    ("delete", "DELETE", "OLD.status = 'ready'", "OLD"),
]


def sqlite_statements():
    for name, event, condition, row in TRIGGERS:
        body = BUMP.format(row=row, now="strftime('%Y-%m-%d %H:%M:%f', 'now')")
        yield f"""CREATE TRIGGER workspace_documents_index_{name} AFTER {event} ON workspace_documents
            WHEN {condition} BEGIN {body} END"""


def postgresql_statements():
    for name, event, condition, row in TRIGGERS:
        body = BUMP.format(row=row, now="now()")
        yield f"""CREATE FUNCTION workspace_documents_index_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body} RETURN NULL; END $$"""
        yield f"""CREATE TRIGGER workspace_documents_index_{name} AFTER {event} ON workspace_documents
            FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION workspace_documents_index_{name}()"""


def forwards(apps, schema_editor):
    statements = sqlite_statements if schema_editor.connection.vendor == "sqlite" else postgresql_statements
    for statement in statements():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for name, _, _, _ in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS workspace_documents_index_{name}" + (
            "" if schema_editor.connection.vendor == "sqlite" else " ON workspace_documents"
        ))
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS workspace_documents_index_{name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('workspaces', '0021_sources_watched_folders_and_web_pages'),
    ]

    operations = [
        migrations.AddField(
            model_name='workspace',
            name='search_version',
            field=models.BigIntegerField(db_column='searchVersion', default=0, editable=False, help_text='Raised by the database whenever a document is added, deleted or has its status set (retrieval.search_index): never saved from a loaded row.'),
        ),
        migrations.CreateModel(
            name='IndexChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('workspace_id', models.BigIntegerField(db_column='workspaceId')),
                ('version', models.BigIntegerField()),
                ('document_id', models.BigIntegerField(db_column='documentId')),
                ('created_at', models.DateTimeField(db_column='createdAt')),
            ],
            options={
                'db_table': 'retrieval_index_changes',
                'indexes': [models.Index(fields=['created_at'], name='retrieval_index_changes_age')],
                'constraints': [models.UniqueConstraint(fields=('workspace_id', 'version'), name='retrieval_index_changes_version')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
