"""Microsoft Teams surface (Bot Framework SDK, botbuilder-python 4.17).

Every botbuilder import of the product lives in this package, so moving to the Microsoft 365
Agents SDK stays local (see MIGRATION.md).  ``mount_teams`` adds the endpoint to the shared
aiohttp app; ``build_package`` (``adapters.teams.package``) builds the sideloadable app zip.
"""

from adapters.teams.adapter import TeamsAdapter, mount_teams
from adapters.teams.config import TeamsConfigError

__all__ = ["TeamsAdapter", "TeamsConfigError", "mount_teams"]
