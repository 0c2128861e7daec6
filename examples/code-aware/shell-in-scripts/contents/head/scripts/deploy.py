"""Deploy helpers."""

import os
import subprocess


def target_host(env):
    return os.environ.get("DEPLOY_HOST_" + env.upper(), "localhost")


def restart(env, service):
    subprocess.run(f"ssh {target_host(env)} systemctl restart {service}", shell=True, check=True)
