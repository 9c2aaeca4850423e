"""Keep the user's name on each audit row, and protect users with audit history.

Deleting a user used to null the user on their earlier events (``on_delete=SET_NULL``),
so a child-view row could lose who viewed. Each row now carries the user name itself,
backfilled here from the user it names, and a user with audit rows cannot be deleted
(``PROTECT``: deactivate them instead, which is audited).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def usernames_backfill(apps, schema_editor):
    """Each existing row's user name, from its user (rows without one keep "")."""
    AuditEvent = apps.get_model("organisations", "AuditEvent")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    names = dict(
        User.objects.filter(
            pk__in=AuditEvent.objects.exclude(user=None).values("user_id")
        ).values_list("pk", "username")
    )
    for user_id, name in names.items():
        AuditEvent.objects.filter(user_id=user_id).update(username=name)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0006_membership_roles_per_authority'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='username',
            field=models.CharField(blank=True, db_index=True, max_length=150),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.PositiveSmallIntegerField(choices=[(100, 'Child detail viewed'), (101, 'Worklist viewed'), (102, 'Drill-down list viewed'), (103, 'Case records viewed in the Django admin'), (104, 'Import batch and its row errors viewed'), (110, 'Worklist exported'), (120, 'Scorecard PDF downloaded'), (121, 'Scorecard spreadsheet downloaded'), (200, 'Extract uploaded'), (201, 'Interrupted import run again'), (210, 'Recompute triggered'), (300, 'Commentary edited'), (310, 'Scorecard published'), (400, 'Role changed'), (410, 'API token created or revoked'), (420, 'User deactivated'), (421, 'User reactivated')]),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(usernames_backfill, migrations.RunPython.noop),
    ]
