#===- test/unit/codegen.cmake - CodegenTests: JIT and emission -----------===#
nnc_unit_test(CodegenTests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/CodegenTests.cpp
  LIBS NNCCodegen NNCRuntime MLIRNN MLIR)
