"""Re-apply clinic/roles.py to the role groups (also runs after every migrate)."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from clinic.roles import MATRIX, sync_roles


class Command(BaseCommand):
    help = "Sync the Reception, Practitioner and Manager groups with clinic/roles.py."

    def handle(self, *args, **options):
        sync_roles(group_model=Group, permission_model=Permission)
        for role, perms in MATRIX.items():
            self.stdout.write(f"{role.value}: {len(perms)} permissions")
