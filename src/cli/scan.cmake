# The scan subcommand (src/cli/cmd_scan.c and its helpers). Included by the
# top-level CMakeLists.txt, which appends PS_CLI_SCAN_SOURCES to the CLI.
set(PS_CLI_SCAN_SOURCES
  src/cli/cmd_scan.c
  src/cli/scan_opts.c
  src/cli/scan_out.c
  src/cli/scan_progress.c)
