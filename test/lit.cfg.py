# -*- Python -*-
# lit configuration for nnc: runs nnc-opt / nnc on test/**/*.mlir with FileCheck.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NNC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")
config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# RUN lines start `not`, `split-file`, `llvm-nm` from LLVM 22, not from PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# ptxas checks run only where the CUDA toolkit is installed.
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")

tool_dirs = [config.nnc_tools_dir, config.llvm_tools_dir]
tools = ["nnc-opt", "nnc"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
