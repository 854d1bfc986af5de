#!/usr/bin/env bash
# build.sh OUTDIR: builds the setupapi.dll / newdev.dll stand-ins, a TEST DOUBLE for the PrintHA lab (never
# part of the product), into OUTDIR. .NET on Linux resolves [DllImport("setupapi.dll")] by trying, per
# directory, setupapi.dll.so, libsetupapi.dll.so, setupapi.dll, libsetupapi.dll (see README.md), so OUTDIR gets
#   libsetupapi.dll.so   the SetupDi* functions (soname libsetupapi.dll.so; holds the devnodes)
#   libnewdev.dll.so     UpdateDriverForPlugAndPlayDevicesW (DT_NEEDED libsetupapi.dll.so, RUNPATH $ORIGIN)
#   setupapi.dll.so, newdev.dll.so   symlinks to them (the first name .NET tries; same file = same handle)
# OUTDIR must then be on the dynamic loader path of pwsh (LD_LIBRARY_PATH at pwsh start, or ld.so.conf.d +
# ldconfig). Each file is replaced by rename, so a running pwsh that has the old one mapped is not disturbed.
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cc=${CC:-gcc}
mkdir -p "$out"
flags=(-std=c11 -O2 -g -Wall -Wextra -Werror -fPIC -fvisibility=hidden -shared -Wl,-z,defs -Wl,--as-needed)
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$cc" "${flags[@]}" -Wl,-soname,libsetupapi.dll.so -o "$tmp/libsetupapi.dll.so" "$src/setupapi.c" -pthread
"$cc" "${flags[@]}" -Wl,-soname,libnewdev.dll.so -Wl,-rpath,'$ORIGIN' -o "$tmp/libnewdev.dll.so" "$src/newdev.c" \
  -L"$tmp" -l:libsetupapi.dll.so

# exactly the Windows entry points (+ the private bridge newdev uses), nothing else
exports() { nm -D --defined-only "$1" | awk '$2 ~ /^[TtWi]$/ { print $3 }' | sort | tr '\n' ' '; }
want_setupapi='PrintHAWinShim_UpdateDriverW SetupDiCallClassInstaller SetupDiCreateDeviceInfoList SetupDiCreateDeviceInfoW SetupDiDestroyDeviceInfoList SetupDiSetDeviceRegistryPropertyW '
want_newdev='UpdateDriverForPlugAndPlayDevicesW '
got=$(exports "$tmp/libsetupapi.dll.so")
[[ $got == "$want_setupapi" ]] || { echo "build.sh: libsetupapi.dll.so exports '$got', expected '$want_setupapi'" >&2; exit 1; }
got=$(exports "$tmp/libnewdev.dll.so")
[[ $got == "$want_newdev" ]] || { echo "build.sh: libnewdev.dll.so exports '$got', expected '$want_newdev'" >&2; exit 1; }

for f in libsetupapi.dll.so libnewdev.dll.so; do mv -f "$tmp/$f" "$out/$f"; done
for n in setupapi newdev; do
  ln -sfn "lib$n.dll.so" "$tmp/$n.dll.so"
  mv -fT "$tmp/$n.dll.so" "$out/$n.dll.so"
done
