"""Each host's search index (workspaces/retrieval/search_index.py) learns what changed from the database:
a document added, deleted or given a status writes a `retrieval_index_changes` row and raises its
workspace's `searchVersion`, the row carrying the new version. The raise locks the workspace's row,
so versions are taken in commit order, without gaps. SQLite raises it once a row; PostgreSQL once a
statement (a row trigger logs the document without a version, a statement trigger then raises each
workspace's version once and gives it to its rows): raising one row 10,000 times in a transaction
made PostgreSQL walk ever longer chains of that row's versions (a workspace of 10,000 documents took
minutes to delete). Existing workspaces start at 0: each host builds its folders from the passages
on their first search (or `manage.py search_index_build`)."""

from django.db import migrations, models

# (name, event, condition, row)
TRIGGERS = [
    ("insert", "INSERT", "NEW.status = 'ready'", "NEW"),
    ("status", "UPDATE OF status", "NEW.status = 'ready' OR OLD.status = 'ready'", "NEW"),
    ("delete", "DELETE", "OLD.status = 'ready'", "OLD"),
]

SQLITE_BODY = """UPDATE workspaces SET "searchVersion" = "searchVersion" + 1 WHERE id = {row}."workspaceId";
    INSERT INTO retrieval_index_changes ("workspaceId", version, "documentId", "createdAt")
    SELECT id, "searchVersion", {row}.id, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM workspaces
    WHERE id = {row}."workspaceId";"""

POSTGRESQL_LOG = """INSERT INTO retrieval_index_changes ("workspaceId", version, "documentId", "createdAt")
    VALUES ({row}."workspaceId", NULL, {row}.id, now());"""

# After the statement's row triggers: one raise per workspace, its version given to the rows logged.
POSTGRESQL_VERSION = """
    WITH raised AS (
        UPDATE workspaces SET "searchVersion" = "searchVersion" + 1
        WHERE id IN (SELECT DISTINCT "workspaceId" FROM retrieval_index_changes WHERE version IS NULL)
        RETURNING id, "searchVersion"
    )
    UPDATE retrieval_index_changes c SET version = raised."searchVersion"
    FROM raised WHERE c.version IS NULL AND c."workspaceId" = raised.id;"""


def sqlite_statements():
    for name, event, condition, row in TRIGGERS:
        yield f"""CREATE TRIGGER workspace_documents_index_{name} AFTER {event} ON workspace_documents
            WHEN {condition} BEGIN {SQLITE_BODY.format(row=row)} END"""


def postgresql_statements():
    for name, event, condition, row in TRIGGERS:
        yield f"""CREATE FUNCTION workspace_documents_index_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {POSTGRESQL_LOG.format(row=row)} RETURN NULL; END $$"""
        yield f"""CREATE TRIGGER workspace_documents_index_{name} AFTER {event} ON workspace_documents
            FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION workspace_documents_index_{name}()"""
    yield f"""CREATE FUNCTION workspace_documents_index_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {POSTGRESQL_VERSION} RETURN NULL; END $$"""
    yield """CREATE TRIGGER workspace_documents_index_version AFTER INSERT OR UPDATE OF status OR DELETE
        ON workspace_documents FOR EACH STATEMENT EXECUTE FUNCTION workspace_documents_index_version()"""


def forwards(apps, schema_editor):
    statements = sqlite_statements if schema_editor.connection.vendor == "sqlite" else postgresql_statements
    for statement in statements():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    names = [name for name, _, _, _ in TRIGGERS]
    if schema_editor.connection.vendor == "postgresql":
        names.append("version")
    for name in names:
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
                ('version', models.BigIntegerField(help_text='Empty only within the statement that logged it.', null=True)),
                ('document_id', models.BigIntegerField(db_column='documentId')),
                ('created_at', models.DateTimeField(db_column='createdAt')),
            ],
            options={
                'db_table': 'retrieval_index_changes',
                'indexes': [
                    models.Index(fields=['created_at'], name='index_changes_age'),
                    models.Index(fields=['workspace_id', 'version'], name='index_changes_version'),
                    models.Index(condition=models.Q(('version__isnull', True)), fields=['workspace_id'],
                                 name='index_changes_unversioned'),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
