#!/usr/bin/env bash
# Static release binaries, one file each (web assets and model compiled in), built on a
# Debian/Ubuntu x86_64 machine without Docker, with the `dist` profile (fat LTO, one
# codegen unit; `--release` is the quicker everyday build).
#
# Usage: scripts/build-release.sh [TARGET...]
#   TARGET: x86_64-unknown-linux-musl, aarch64-unknown-linux-musl (Raspberry Pi 3/4/5,
#           64-bit OS), armv7-unknown-linux-musleabihf (32-bit Raspberry Pi OS);
#           default: all three.
# Environment:
#   WITH_EVAL=1       also build deskbell-eval (for scripts/eval-cross.sh)
#   NO_INSTALL=1      do not apt-get/rustup anything; fail if something is missing
#   ARMV7_STD=auto    how to get armv7's standard library: `rustup` (the prebuilt one),
#                     `source` (build it from rust-src against Debian's musl for armhf:
#                     for rustup mirrors without that target), `auto` (rustup, else source)
#   CARGO_TARGET_DIR  as usual (default target/)
# Writes dist/deskbell-<version>-<target> (and dist/deskbell-eval-<version>-<target>)
# plus dist/SHA256SUMS; checks with `file` that each binary is statically linked.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
ARMV7_STD=${ARMV7_STD:-auto}
BINS=(deskbell)
if [ "${WITH_EVAL:-0}" = 1 ]; then BINS+=(deskbell-eval); fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages providing the commands this build needs (qemu-user: for the smoke test).
apt_install() {
  local missing=()
  command -v x86_64-linux-musl-gcc >/dev/null || missing+=(musl-tools)
  command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
  command -v arm-linux-gnueabihf-gcc >/dev/null || missing+=(gcc-arm-linux-gnueabihf)
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  command -v file >/dev/null || missing+=(file)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== apt-get install ${missing[*]}"
    as_root apt-get update -qq || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

# Debian's musl for armhf, with its arm-linux-musleabihf-gcc wrapper (ARMV7_STD=source).
apt_install_armhf_musl() {
  command -v arm-linux-musleabihf-gcc >/dev/null && return 0
  [ "${NO_INSTALL:-0}" = 1 ] && { echo "arm-linux-musleabihf-gcc missing (musl-dev:armhf)"; return 1; }
  echo "== apt-get install musl-dev:armhf"
  as_root dpkg --add-architecture armhf
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-dev:armhf
}

# Prints how armv7's standard library is obtained: rustup or source.
armv7_std() {
  if [ "$ARMV7_STD" != source ] && rustup target list --installed | grep -qx armv7-unknown-linux-musleabihf; then
    echo rustup
  elif [ "$ARMV7_STD" = source ] || [ "${NO_INSTALL:-0}" = 1 ]; then
    echo source
  elif rustup target add armv7-unknown-linux-musleabihf >&2; then
    echo rustup
  elif [ "$ARMV7_STD" = auto ]; then
    echo "== no prebuilt armv7 standard library from rustup: building it from source" >&2
    echo source
  else
    return 1
  fi
}

# Sets the C compiler and linker for one target (ring, tract's kernels and the final
# link all use them), and EXTRA_ARGS for cargo.
configure() {
  EXTRA_ARGS=()
  case "$1" in
    x86_64-unknown-linux-musl)
      export CC_x86_64_unknown_linux_musl=x86_64-linux-musl-gcc
      ;;
    aarch64-unknown-linux-musl)
      export CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc
      export AR_aarch64_unknown_linux_musl=aarch64-linux-gnu-ar
      export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc
      ;;
    armv7-unknown-linux-musleabihf)
      export AR_armv7_unknown_linux_musleabihf=arm-linux-gnueabihf-ar
      local std
      std=$(armv7_std)
      if [ "$std" = rustup ]; then
        export CC_armv7_unknown_linux_musleabihf=arm-linux-gnueabihf-gcc
        export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER=arm-linux-gnueabihf-gcc
      else
        apt_install_armhf_musl
        [ "${NO_INSTALL:-0}" = 1 ] || rustup component add rust-src
        # std from source: musl's own crt files and libc (not rustup's self-contained
        # ones, which this toolchain lacks), gcc's ARM EHABI unwinder as libunwind (musl
        # provides the __gnu_Unwind_Find_exidx it needs), and a non-PIE static executable
        # (Debian's musl gcc specs know no -static-pie).
        local unwind
        unwind=$(realpath -m "$TARGET_DIR/armv7-musl-unwind")
        mkdir -p "$unwind"
        cp "$(arm-linux-gnueabihf-gcc -print-file-name=libgcc_eh.a)" "$unwind/libunwind.a"
        export CC_armv7_unknown_linux_musleabihf=arm-linux-musleabihf-gcc
        export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER=arm-linux-musleabihf-gcc
        export CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_RUSTFLAGS="-C link-self-contained=no -C relocation-model=static -L native=$unwind"
        export RUSTC_BOOTSTRAP=1
        EXTRA_ARGS=("-Zbuild-std=std,panic_unwind")
      fi
      ;;
    *)
      echo "unknown target $1 (known: ${ALL_TARGETS[*]})" >&2
      return 1
      ;;
  esac
}

if [ "${NO_INSTALL:-0}" != 1 ]; then
  apt_install
  for target in "${TARGETS[@]}"; do
    [ "$target" = armv7-unknown-linux-musleabihf ] || rustup target add "$target"
  done
fi

mkdir -p dist
for target in "${TARGETS[@]}"; do
  echo "== $target"
  configure "$target"
  bin_args=()
  for bin in "${BINS[@]}"; do bin_args+=(--bin "$bin"); done
  cargo build --profile dist --locked --target "$target" "${EXTRA_ARGS[@]}" "${bin_args[@]}"
  unset RUSTC_BOOTSTRAP
  for bin in "${BINS[@]}"; do
    out="dist/$bin-$VERSION-$target"
    cp "$TARGET_DIR/$target/dist/$bin" "$out"
    description=$(file -b "$out")
    echo "$out: $(stat -c %s "$out") bytes; $description"
    case "$description" in
      *"statically linked"* | *"static-pie linked"*) ;;
      *) echo "$out is not statically linked" >&2; exit 1 ;;
    esac
  done
done
(cd dist && sha256sum deskbell-*"$VERSION"-* > SHA256SUMS)
echo "== dist/SHA256SUMS"
cat dist/SHA256SUMS
