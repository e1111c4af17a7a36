//===- frontend/serialize/Safetensors.h - safetensors files -----*- C++ -*-===//
//
// Reads and writes the safetensors format of Hugging Face
// (https://github.com/huggingface/safetensors), the format PyTorch models
// are shared in: an 8-byte little-endian header size N, N bytes of JSON
//   {"__metadata__": {str: str},
//    "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}
// then the tensors' bytes, offsets counted from the end of the header.
//
// The API mirrors safetensors.torch: load_file / save_file for files, load /
// save for bytes in memory. Files are written byte for byte as the Python
// library writes them, and loading validates everything (header size, JSON,
// dtypes, shapes against offsets, offsets covering the buffer) with an
// nnc::Error that names the file and the tensor.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_SERIALIZE_SAFETENSORS_H
#define NNC_FRONTEND_SERIALIZE_SAFETENSORS_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"

#include <map>
#include <string>

namespace nnc::safetensors {

/// The free-form string map stored under "__metadata__".
using Metadata = std::map<std::string, std::string>;

/// What a safetensors file holds.
struct Contents {
  std::map<std::string, Tensor> tensors;
  Metadata metadata;
};

/// The tensors of the file at `path`: contiguous CPU tensors that own their
/// memory and do not require grad. Throws nnc::Error, naming `path`, if the
/// file cannot be read or is malformed, or if it holds a dtype nnc lacks.
std::map<std::string, Tensor> load_file(const std::string &path);
/// The tensors and the "__metadata__" map of the file at `path`.
Contents load_file_with_metadata(const std::string &path);

/// The same from the bytes of a file in memory; `source` names them in
/// error messages.
std::map<std::string, Tensor> load(const std::string &bytes,
                                   const std::string &source = "<bytes>");
Contents load_with_metadata(const std::string &bytes,
                            const std::string &source = "<bytes>");

/// Writes `tensors` (any strides; stored contiguously) and `metadata` to
/// `path`, as safetensors.torch.save_file does: tensors ordered by dtype
/// alignment (largest first), then by name, and the JSON header padded with
/// spaces to a multiple of 8 bytes, so every tensor is aligned in the file.
/// Metadata keys are written in sorted order (the Python library writes
/// them in hash-map order).
void save_file(const std::map<std::string, Tensor> &tensors,
               const std::string &path, const Metadata &metadata = {});
void save_file(const OrderedDict<std::string, Tensor> &tensors,
               const std::string &path, const Metadata &metadata = {});

/// The bytes save_file would write.
std::string save(const std::map<std::string, Tensor> &tensors,
                 const Metadata &metadata = {});
std::string save(const OrderedDict<std::string, Tensor> &tensors,
                 const Metadata &metadata = {});

/// The safetensors name of `type` ("F32", "I64").
const char *dtypeName(ScalarType type);

} // namespace nnc::safetensors

#endif // NNC_FRONTEND_SERIALIZE_SAFETENSORS_H
