//===- frontend/data/Data.h - All of nnc::data ------------------*- C++ -*-===//
//
// As torch.utils.data plus the datasets the seeds use: Dataset,
// TensorDataset, Subset, random_split, DataLoader, CsvDataset, read_idx,
// MNIST and FashionMNIST.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_DATA_H
#define NNC_FRONTEND_DATA_DATA_H

#include "frontend/data/CsvDataset.h"
#include "frontend/data/DataLoader.h"
#include "frontend/data/Dataset.h"
#include "frontend/data/Mnist.h"

#endif // NNC_FRONTEND_DATA_DATA_H
