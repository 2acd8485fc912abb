// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title USDT-like mock for tests
/// @notice Behaves like Tether's USDT on Ethereum where it departs from ERC-20: `transfer`,
/// `transferFrom` and `approve` return nothing, the token can be paused, and blacklisted accounts
/// can neither send nor receive. Like USDT (Solidity 0.4), every refusal is a bare `revert()`
/// without data: callers learn the cause only from the `paused()` and `isBlackListed()` views.
/// @dev Placed with `anvil_setCode` (no constructor runs), so metadata are pure functions and
/// `mint`, `pause` and the blacklist are open to every caller — a test double, never for a real network.
contract MockUSDT {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlackListed;
    uint256 public totalSupply;
    bool public paused;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Pause();
    event Unpause();
    event AddedBlackList(address user);
    event RemovedBlackList(address user);

    function name() external pure returns (string memory) {
        return "Tether USD (mock)";
    }

    function symbol() external pure returns (string memory) {
        return "USDT";
    }

    function decimals() external pure returns (uint8) {
        return 6;
    }

    function transfer(address to, uint256 value) external {
        _transfer(msg.sender, to, value);
    }

    function transferFrom(address from, address to, uint256 value) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value);
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
    }

    function approve(address spender, uint256 value) external {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
    }

    /// @notice Creates `value` base units for `to`; open to every caller on purpose.
    function mint(address to, uint256 value) external {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function pause() external {
        paused = true;
        emit Pause();
    }

    function unpause() external {
        paused = false;
        emit Unpause();
    }

    function addBlackList(address user) external {
        isBlackListed[user] = true;
        emit AddedBlackList(user);
    }

    function removeBlackList(address user) external {
        isBlackListed[user] = false;
        emit RemovedBlackList(user);
    }

    function _transfer(address from, address to, uint256 value) private {
        require(!paused);
        require(!isBlackListed[from]);
        require(!isBlackListed[to]);
        require(balanceOf[from] >= value);
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
