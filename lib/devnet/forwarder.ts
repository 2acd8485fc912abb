import { type Address, getAddress } from "viem";

/**
 * A devnet contract that forwards its call value to the address in its calldata with a CALL
 * (reverting if that fails): ETH it sends is an internal transfer, invisible in the block's
 * transactions, which is what the native balance check exists for. Used by tests and `npm run pay
 * -- --via-contract`; placed with `anvil_setCode`.
 */
export const FORWARDER_ADDRESS: Address = getAddress("0x00000000000000000000000000000000000f0a4d");
// PUSH1 0 ×4 (ret/args), CALLVALUE, PUSH1 0 CALLDATALOAD (to), GAS, CALL, ISZERO, JUMPI → REVERT.
export const FORWARDER_CODE = "0x6000600060006000346000355af115601357005b60006000fd" as const;
