"""`make token ROLE=<role> [PARTNER=<owner id>]`: print a bearer token signed with the configured secret."""
from __future__ import annotations

import argparse

from services.kit.auth import Role, issue_token
from services.kit.settings import CommonSettings, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--partner", default=None, help="owner id a partner token is bound to")
    parser.add_argument("--subject", default=None, help="user name recorded as the actor")
    args = parser.parse_args()
    if args.role == Role.partner and not args.partner:
        parser.error("ROLE=partner needs PARTNER=<owner id>")
    common = load(CommonSettings)
    subject = args.subject or (f"partner-{args.partner}" if args.partner else f"demo-{args.role}")
    print(issue_token(common.bondline_jwt_secret, subject, args.role, args.partner,
                      common.bondline_jwt_ttl_minutes))


if __name__ == "__main__":
    main()
