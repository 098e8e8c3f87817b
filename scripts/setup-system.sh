#!/usr/bin/env bash
# Installs the Debian packages qinggong needs. Idempotent; run as root (or with sudo available).
#   demo profile: x13as (non-free), CJK fonts, HarfBuzz subsetting (fast WeasyPrint)
#   test profile: the demo set plus PostgreSQL, Chromium, poppler-utils and LibreOffice Writer
set -euo pipefail
profile="${1:-demo}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

demo_pkgs=(x13as fonts-noto-cjk fonts-wqy-microhei libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
test_pkgs=(postgresql chromium poppler-utils libreoffice-writer-nogui)

pkgs=("${demo_pkgs[@]}")
if [ "$profile" = "test" ]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "系统依赖已就绪（${profile}）"
  exit 0
fi

# x13as lives in Debian's non-free component, which a fresh bookworm image does not enable.
nonfree=/etc/apt/sources.list.d/qinggong-non-free.sources
if ! grep -rqs "non-free" /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  $SUDO tee "$nonfree" >/dev/null <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: ${codename}
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
echo "安装系统依赖：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "系统依赖已安装（${profile}）"
