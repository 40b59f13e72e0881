/*
 * cmd_audit.h - what the files of `dmvgate audit` share: the subcommands
 * and the helpers that read keys and files for them.
 */
#ifndef DMVGATE_CMD_AUDIT_H
#define DMVGATE_CMD_AUDIT_H

#include <dmvgate/audit.h>

#include <stdbool.h>

/* Subcommands, argv[0] being the subcommand's name. */
int dg__audit_keygen(int argc, char **argv);
int dg__audit_verify(int argc, char **argv);
int dg__audit_verify_proof(int argc, char **argv);
int dg__audit_note_verify(int argc, char **argv);
int dg__audit_prove(int argc, char **argv);
int dg__audit_consistency(int argc, char **argv);
int dg__audit_checkpoint(int argc, char **argv);
int dg__audit_append(int argc, char **argv);
int dg__audit_dump(int argc, char **argv);

/* Read a file ("-" for standard input) of at most max bytes into b
 * (initialised here). 0 or an error, with a message printed. */
int dg__audit_read_input(const char *path, size_t max, struct dg_buf *b);
/* A verifier key from a file, or the key text itself. */
int dg__audit_load_verifier(const char *arg, struct dg_note_verifier **out);
/* A signer key from a file. */
int dg__audit_load_signer(const char *path, struct dg_note_signer **out);
/* Parse a decimal uint64 option value; usage error message on failure. */
bool dg__audit_parse_u64(const char *opt, const char *s, uint64_t *out);
/* True when arg is --help or -h. */
bool dg__audit_is_help(const char *arg);

#endif
