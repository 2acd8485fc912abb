// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Fee-on-transfer mock for tests
/// @notice A 6-decimal ERC-20 that keeps 1 % of every transfer (rounded down) for a fee collector:
/// the recipient receives less than the amount sent. Standard events: `Transfer(from, to, net)`
/// and `Transfer(from, FEE_COLLECTOR, fee)`. Mints are fee-free.
/// @dev Placed with `anvil_setCode` (no constructor runs): metadata are pure functions.
contract MockFeeToken is ERC20 {
    address public constant FEE_COLLECTOR = address(0xfEE0000000000000000000000000000000000fee);
    uint256 public constant FEE_BASIS_POINTS = 100;

    constructor() ERC20("", "") {}

    function name() public pure override returns (string memory) {
        return "Fee-on-transfer token (mock)";
    }

    function symbol() public pure override returns (string memory) {
        return "FOT";
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Creates `amount` base units for `to`; open to every caller on purpose.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * FEE_BASIS_POINTS) / 10_000;
        if (fee > 0) super._update(from, FEE_COLLECTOR, fee);
        super._update(from, to, value - fee);
    }
}
