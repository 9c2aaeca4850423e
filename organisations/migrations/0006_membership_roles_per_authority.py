"""Roles move from Django groups (one set per user, for every authority) to the membership of
each authority (issue #21: an admin of 874 was an admin of 873 too).

Faithful: each user's role groups are copied onto every membership they hold, so a user
with one role keeps exactly the rights they had. A user in a role group without any
membership had no authority to use the role in and gets nothing. The three role groups are
then deleted: the Django admin's permissions come with the admin role
(``organisations.backends``), and no group decides anything any more.

Backwards: the groups are recreated and every user holding a role in some authority joins
its group (the admin group gets its reference-data permissions back).
"""

from django.db import migrations, models

#: The group names of the old scheme → the role keys (Membership fields) of the new one.
GROUP_ROLES = {"Team manager": "team_manager", "Admin": "admin", "Committee lead": "committee_lead"}

ADMIN_REFERENCE_MODELS = (
    ("organisations", "localauthority", ("view", "change")),
    ("organisations", "population", ("view", "add", "change", "delete")),
    ("organisations", "team", ("view", "add", "change", "delete")),
    ("organisations", "worker", ("view", "add", "change", "delete")),
    ("organisations", "teammembership", ("view", "add", "change", "delete")),
    ("organisations", "staffestablishment", ("view", "add", "change", "delete")),
    ("children", "school", ("view",)),
    ("scorecards", "target", ("view", "add", "change", "delete")),
    ("scorecards", "benchmark", ("view", "add", "change", "delete")),
)


def groups_to_memberships(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("organisations", "Membership")
    for group in Group.objects.filter(name__in=GROUP_ROLES):
        role = GROUP_ROLES[group.name]
        Membership.objects.filter(user__groups=group).update(**{role: True})
    Group.objects.filter(name__in=GROUP_ROLES).delete()


def memberships_to_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("organisations", "Membership")
    for name, role in GROUP_ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        holders = Membership.objects.filter(**{role: True}).values_list("user_id", flat=True)
        group.user_set.add(*set(holders))
        if role == "admin":
            wanted = {(app, f"{a}_{model}") for app, model, actions in ADMIN_REFERENCE_MODELS
                      for a in actions}  # fmt: skip
            group.permissions.set(
                p
                for p in Permission.objects.select_related("content_type")
                if (p.content_type.app_label, p.codename) in wanted
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("organisations", "0005_audit_import_run_again"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="team_manager",
            field=models.BooleanField(default=False, verbose_name="team manager"),
        ),
        migrations.AddField(
            model_name="membership",
            name="admin",
            field=models.BooleanField(default=False, verbose_name="admin (performance / data)"),
        ),
        migrations.AddField(
            model_name="membership",
            name="committee_lead",
            field=models.BooleanField(default=False, verbose_name="committee lead"),
        ),
        migrations.AlterField(
            model_name="membership",
            name="teams",
            field=models.ManyToManyField(
                blank=True,
                help_text="Team manager only: the teams managed (and the teams below them); "
                "none named means the whole authority.",
                related_name="user_memberships",
                to="organisations.team",
            ),
        ),
        migrations.RunPython(groups_to_memberships, memberships_to_groups),
    ]
