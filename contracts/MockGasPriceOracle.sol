// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Test stand-in for the OP-stack GasPriceOracle predeploy (0x420000000000000000000000000000000000000F),
/// placed with `anvil_setCode` by lib/testing/op-stack-devnet.ts. Deterministic: the L1 data fee of a
/// serialized unsigned transaction is (its length + 68 bytes of signature) × `l1FeePerByte`, the value
/// of storage slot 0 (set with `anvil_setStorageAt`, as placed code runs no constructor).
contract MockGasPriceOracle {
    /// @notice Wei charged per byte of L1 data.
    uint256 public l1FeePerByte;

    /// @notice The L1 data fee of `data` (a serialized unsigned transaction), as the OP-stack oracle answers.
    function getL1Fee(bytes calldata data) external view returns (uint256) {
        return (data.length + 68) * l1FeePerByte;
    }
}
