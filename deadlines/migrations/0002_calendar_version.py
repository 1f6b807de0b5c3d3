"""The calendar's version stamp, and the triggers that change it with every write to the overrides.

PostgreSQL: one statement-level trigger (insert, update, delete, truncate). SQLite: one row-level
trigger per kind of write (it has no statement-level triggers and no TRUNCATE). Each replaces the
stamp's token with a random one in the writing transaction.
"""

from django.db import migrations, models


POSTGRESQL_CREATE = """
CREATE FUNCTION deadlines_calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deadlines_calendarversion (id, token) VALUES (1, gen_random_uuid()::text)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$;
CREATE TRIGGER deadlines_calendaroverride_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON deadlines_calendaroverride
    FOR EACH STATEMENT EXECUTE FUNCTION deadlines_calendar_changed();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS deadlines_calendaroverride_changed ON deadlines_calendaroverride;
DROP FUNCTION IF EXISTS deadlines_calendar_changed();
"""
SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE")
SQLITE_CREATE = """
CREATE TRIGGER deadlines_calendaroverride_{name} AFTER {write} ON deadlines_calendaroverride
BEGIN
    INSERT OR REPLACE INTO deadlines_calendarversion (id, token) VALUES (1, lower(hex(randomblob(16))));
END;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE)
    elif vendor == "sqlite":
        for write in SQLITE_WRITES:
            schema_editor.execute(SQLITE_CREATE.format(name=write.lower(), write=write))


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        for write in SQLITE_WRITES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS deadlines_calendaroverride_{write.lower()}")


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('token', models.CharField(max_length=36, verbose_name='token')),
            ],
            options={
                'verbose_name': 'calendar version',
                'verbose_name_plural': 'calendar versions',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='deadlines_calendarversion_one_row')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
