// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Mock USDC for the local devnet
/// @notice A 6-decimal ERC-20 whose `mint` anyone may call: a faucet for demos and tests, never for
/// a real network.
/// @dev The devnet places the runtime code with `anvil_setCode`, so the constructor never runs and
/// storage set there would not exist: the metadata is answered by pure functions instead.
contract MockUSDC is ERC20 {
    constructor() ERC20("", "") {}

    function name() public pure override returns (string memory) {
        return "USD Coin (mock)";
    }

    function symbol() public pure override returns (string memory) {
        return "USDC";
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Creates `amount` base units for `to`; open to every caller on purpose.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
