"""One service's set of staff pages: where it lives, who may read and act, which table holds its sessions."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from services.kit.auth import Role


@dataclass(frozen=True)
class Site:
    name: str                  # "desk", "bench": names its cookies
    prefix: str                # "/desk": every page, cookie path and redirect stays under it
    sessions: Table            # the service's session table (see session.session_table)
    readers: frozenset[Role]   # may sign in and read (admin always may)
    writers: frozenset[Role]   # may act
    timezone_setting: str      # the service settings' attribute naming the IANA zone its pages show times in
    title: str = ""            # what the 403 page says the site is

    @property
    def cookie(self) -> str:
        return f"{self.name}_session"

    @property
    def lang_cookie(self) -> str:
        return f"{self.name}_lang"

    @property
    def flow_cookie(self) -> str:
        return f"{self.name}_oidc"

    @property
    def login_cookie(self) -> str:
        return f"{self.name}_login"

    @property
    def login_path(self) -> str:
        return f"{self.prefix}/login"

    @property
    def auth_prefix(self) -> str:
        return f"{self.prefix}/auth"

    def local(self, target: str) -> str:
        """Only paths of this site (no open redirect)."""
        inside = target == self.prefix or target.startswith((f"{self.prefix}/", f"{self.prefix}?"))
        return target if inside and not target.startswith("//") else self.prefix
