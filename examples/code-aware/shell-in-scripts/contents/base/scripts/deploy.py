"""Deploy helpers."""

import os


def target_host(env):
    return os.environ.get("DEPLOY_HOST_" + env.upper(), "localhost")
