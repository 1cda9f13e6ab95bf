import sys

from config.env_file import load_env_file
from ops.cli import main

load_env_file()
sys.exit(main())
