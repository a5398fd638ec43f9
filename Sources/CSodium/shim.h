#ifndef WALLETKIT_CSODIUM_SHIM_H
#define WALLETKIT_CSODIUM_SHIM_H
#include <sodium.h>
#endif
