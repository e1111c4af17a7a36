//===- codegen/DiagnosticCapture.h - Diagnostics as an error ----*- C++ -*-===//
//
// Library entry points (jitCompile, the emitters) report failures as
// llvm::Error rather than printing: while one of these is alive, every
// diagnostic emitted in the context is recorded, with its location, so the
// error can carry the compiler's own explanation.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_DIAGNOSTICCAPTURE_H
#define NNC_CODEGEN_DIAGNOSTICCAPTURE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace nnc {

class DiagnosticCapture {
public:
  explicit DiagnosticCapture(mlir::MLIRContext *context)
      : handler(context, [this](mlir::Diagnostic &diagnostic) {
          record(diagnostic);
          return mlir::success();
        }) {}

  /// An error reading "`what`:" followed by every diagnostic recorded so far.
  llvm::Error makeError(llvm::StringRef what) const {
    std::string message = what.str();
    if (!text.empty())
      message += ":\n" + text;
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }

private:
  void record(mlir::Diagnostic &diagnostic) {
    llvm::raw_string_ostream os(text);
    printLocation(os, diagnostic.getLocation());
    os << ": " << severityName(diagnostic) << ": " << diagnostic << "\n";
    for (const mlir::Diagnostic &note : diagnostic.getNotes()) {
      printLocation(os, note.getLocation());
      os << ": note: " << note << "\n";
    }
  }

  /// "file:line:col" as compilers print it, where the location has one.
  static void printLocation(llvm::raw_ostream &os, mlir::Location location) {
    if (auto file = location->findInstanceOf<mlir::FileLineColLoc>())
      os << file.getFilename().getValue() << ":" << file.getLine() << ":"
         << file.getColumn();
    else
      os << location;
  }

  static const char *severityName(const mlir::Diagnostic &diagnostic) {
    switch (diagnostic.getSeverity()) {
    case mlir::DiagnosticSeverity::Error:
      return "error";
    case mlir::DiagnosticSeverity::Warning:
      return "warning";
    case mlir::DiagnosticSeverity::Note:
      return "note";
    case mlir::DiagnosticSeverity::Remark:
      return "remark";
    }
    return "diagnostic";
  }

  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace nnc

#endif // NNC_CODEGEN_DIAGNOSTICCAPTURE_H
