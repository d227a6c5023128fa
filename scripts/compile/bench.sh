#!/usr/bin/env bash
# Build the benchmarks in bench/ against the KVM selftests library of the
# patched tree (built by scripts/compile/selftests.sh) into build/bench/ (and
# the QEMU regression tests in tests/qemu/ into build/bench/tests/qemu/), and
# the workloads that run inside nested guests (bench/guest/*.c, plain
# programs) into $BENCH_BIN (build/bench/guest/; BASE=7.3:
# build/bench-7.3/guest/).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

sel=$SELFTESTS_DIR/kvm
kvm_src=$TREE/tools/testing/selftests/kvm
[ -d "$sel/lib" ] || die "the KVM selftests library is not built: run 'make selftests' first"
out=$BENCH_DIR
mkdir -p "$out"

mapfile -t lib_objs < <(find "$sel/lib" -name '*.o' | sort)
# The flags of tools/testing/selftests/kvm/Makefile for x86_64.
cflags=(-D_GNU_SOURCE -Wall -Werror -Wstrict-prototypes -Wuninitialized -O2 -g -std=gnu99
	-DCONFIG_64BIT -U_FORTIFY_SOURCE -fno-builtin-memcmp -fno-builtin-memcpy
	-fno-builtin-memset -fno-builtin-strnlen -fno-stack-protector -fno-PIE
	-fno-strict-aliasing -march=x86-64-v2
	-I"$TREE/tools/include" -I"$TREE/tools/arch/x86/include"
	-I"$kvm_src/include" -I"$kvm_src/include/$SELFTESTS_X86" -I"$kvm_src/lib"
	-I"$kvm_src/.." -I"$kvm_src/../rseq"
	-isystem "$OBJ/usr/include" -I"$TOP/bench")
# bench/kvm_compat.h: the library's names since 6.15.
[ "$SELFTESTS_X86" = x86_64 ] || cflags+=(-DKVM_SELFTESTS_GVA_T)

# build_kvm_program SOURCE OUTDIR: one program on the KVM selftests library.
build_kvm_program() {
	local src=$1 dir=$2 name rel
	name=$(basename "$src" .c) rel=${src#"$TOP"/}
	say "building ${rel%.c}"
	mkdir -p "$dir"
	ccache gcc "${cflags[@]}" -c "$src" -o "$dir/$name.o" ||
		die "$rel did not compile (see above)"
	gcc -pthread -no-pie "$dir/$name.o" "${lib_objs[@]}" -ldl -lm -o "$dir/$name" ||
		die "${rel%.c} did not link (see above); is build/selftests up to date? run 'make selftests'"
}

for src in "$TOP"/bench/*.c; do
	build_kvm_program "$src" "$out"
done
# The regression tests of patches-qemu/, run inside the emulated host.
for src in "$TOP"/tests/qemu/*.c; do
	build_kvm_program "$src" "$out/tests/qemu"
done

mkdir -p "$BENCH_BIN"
for src in "$TOP"/bench/guest/*.c; do
	name=$(basename "$src" .c)
	say "building bench/guest/$name"
	# vips_pipeline links Debian's libvips42 (libvips-tools' library) by
	# its soname: no libvips-dev needed (see the file).
	libs=(-lcrypto -lz)
	[ "$name" != vips_pipeline ] || libs=(-l:libvips.so.42 -l:libgobject-2.0.so.0)
	ccache gcc -O2 -g -Wall -Wextra -Werror -pthread "$src" -o "$BENCH_BIN/$name" "${libs[@]}" ||
		die "bench/guest/$name.c did not build (see above); 'make deps' installs libssl-dev, zlib1g-dev and libvips-tools"
done
