#!/usr/bin/env bash
# Create var/demo.env once with random keys. Keep it: GONGZHI_DATA_KEY decrypts the demo's ID numbers.
set -euo pipefail
mkdir -p var
if [ ! -f var/demo.env ]; then
  umask 077
  py=".venv/bin/python"
  {
    echo "GONGZHI_SECRET_KEY=$($py -c 'import secrets; print(secrets.token_urlsafe(48))')"
    echo "GONGZHI_DATA_KEY=$($py -c 'import secrets; print(secrets.token_urlsafe(32))')"
    echo "GONGZHI_INSECURE_COOKIES=1"
    echo "GONGZHI_ALLOWED_HOSTS=127.0.0.1,localhost"
  } > var/demo.env
  echo "created var/demo.env (keep it: it holds the key that decrypts personal data)"
fi
