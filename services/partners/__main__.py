from services.partners.bootstrap import build_app, define
from services.kit.cli import main

main(define, build_app)
