from services.kit.cli import main
from services.repair.bootstrap import build_app, define

main(define, build_app)
