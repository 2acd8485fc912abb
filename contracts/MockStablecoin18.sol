// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title 18-decimal stablecoin mock for tests
/// @notice Like BSC's USDT and USDC (Binance-Peg, 18 decimals): a plain ERC-20 whose base unit is
/// 10^-18 of a dollar, so amounts overflow any 6-decimal assumption. Public `mint`.
/// @dev Placed with `anvil_setCode` (no constructor runs): metadata are pure functions.
contract MockStablecoin18 is ERC20 {
    constructor() ERC20("", "") {}

    function name() public pure override returns (string memory) {
        return "Binance-Peg USD (mock)";
    }

    function symbol() public pure override returns (string memory) {
        return "BUSD18";
    }

    function decimals() public pure override returns (uint8) {
        return 18;
    }

    /// @notice Creates `amount` base units for `to`; open to every caller on purpose.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
