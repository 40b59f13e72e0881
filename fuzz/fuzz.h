/*
 * fuzz.h - the libFuzzer entry point every target in fuzz/ defines.
 *
 * Each fuzz_<name>.c is built twice: as a libFuzzer binary (make fuzz, clang)
 * and, linked with replay_main.c, as replay_<name>, a ctest that feeds every
 * file of fuzz/corpus/<name>/ through the target (make check).
 */
#ifndef DMVGATE_FUZZ_H
#define DMVGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
