//===- tools/nnc/RunCommand.h - `nnc run` ----------------------*- C++ -*-===//
#ifndef NNC_TOOLS_NNC_RUNCOMMAND_H
#define NNC_TOOLS_NNC_RUNCOMMAND_H

namespace nnc::tools {

/// Whether the command line chose the `run` subcommand.
bool runCommandSelected();
/// Runs `nnc run` with the parsed options; returns the exit code.
int runCommandMain();

} // namespace nnc::tools

#endif // NNC_TOOLS_NNC_RUNCOMMAND_H
