#!/bin/sh
# Make a new kkb-lod release the one nginx serves and caches (docs/deploy.md).
#
#   deploy/swap-release.sh RELEASE_ID [APP_URL...]
#
# Run once every app server has been told to serve RELEASE_ID (`kkb-lod serve --reload` on each
# machine). Waits until each APP_URL answers with `X-KKB-Release: RELEASE_ID` (name none when the
# app servers query a remote store, which has no release id to tell), then writes the release id
# into the file the nginx site includes and reloads nginx: from then on every cache key starts
# with the new id, so no answer of the old release is served again.
#   KKB_NGINX_RELEASE_CONF  file the site includes (default /etc/nginx/kkb-lod-release.conf)
#   KKB_NGINX_RELOAD        command that reloads nginx (default: nginx -s reload)
#   KKB_SWAP_WAIT           seconds to wait for the app servers (default 600)
set -eu
[ $# -ge 1 ] || { echo "usage: $0 RELEASE_ID [APP_URL...]" >&2; exit 2; }
release=$1
shift
case $release in
  ''|*[!0-9A-Za-z._-]*) echo "$0: not a release id: $release" >&2; exit 2 ;;
esac
conf=${KKB_NGINX_RELEASE_CONF:-/etc/nginx/kkb-lod-release.conf}
wait=${KKB_SWAP_WAIT:-600}

for url in "$@"; do
  waited=0
  until curl -sS -o /dev/null -D - "$url/sparql?query=ASK%7B%7D" 2>/dev/null \
      | tr -d '\r' | grep -qix "x-kkb-release: $release"; do
    if [ "$waited" -ge "$wait" ]; then
      echo "$0: $url does not serve release $release after ${wait} s; nginx left as it was" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
done

printf 'map $host $kkb_release { default "%s"; }\n' "$release" > "$conf.new"
mv "$conf.new" "$conf"
${KKB_NGINX_RELOAD:-nginx -s reload}
echo "nginx now serves and caches release $release"
