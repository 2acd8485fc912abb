import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import solc from "solc";
import { type Abi, type Hex, keccak256, stringToBytes } from "viem";
import type { MockUsdcArtifact } from "./mock-usdc";

/** The source's key in the compiler input; it is part of the metadata hash, so it must never vary. */
export const MOCK_USDC_SOURCE = "contracts/MockUSDC.sol";

export type CompileMockUsdcParameters = {
  /** Receives each compiler warning; errors always throw. */
  onWarning?: (message: string) => void;
};

/** A compiled contract: what the committed `*.artifact.json` files hold. */
export type ContractArtifact = {
  contractName: string;
  abi: Abi;
  /** Creation code (constructor included). */
  bytecode: Hex;
  /** Runtime code: what `anvil_setCode` places and `eth_getCode` answers. */
  deployedBytecode: Hex;
  solcVersion: string;
  /** keccak256 of the source file, as in the solc metadata. */
  sourceHash: Hex;
};

type SolcMessage = { severity: "error" | "warning" | "info"; formattedMessage: string };
type SolcContract = {
  abi: Abi;
  evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
};
type SolcOutput = {
  errors?: SolcMessage[];
  contracts?: Record<string, Record<string, SolcContract>>;
};

/**
 * Compiles `contracts/MockUSDC.sol` with the solc-js of node_modules and the installed
 * OpenZeppelin sources. Deterministic for a given solc and OpenZeppelin version, which is what
 * lets a test compare the committed artifact with a fresh compilation.
 */
export function compileMockUsdc(parameters: CompileMockUsdcParameters = {}): MockUsdcArtifact {
  return compileContract({
    sourcePath: MOCK_USDC_SOURCE,
    contractName: "MockUSDC",
    ...parameters,
  }) as MockUsdcArtifact;
}

/**
 * Compiles one contract of `contracts/` (its key in the compiler input is `sourcePath`, part of the
 * metadata hash: never vary it) with the same settings as the mock USDC.
 */
export function compileContract(
  parameters: CompileMockUsdcParameters & { sourcePath: string; contractName: string },
): ContractArtifact {
  const { sourcePath, contractName } = parameters;
  const source = readFileSync(fileURLToPath(new URL(`../../${sourcePath}`, import.meta.url)), "utf8");
  const input = {
    language: "Solidity",
    sources: { [sourcePath]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: {
        [sourcePath]: { [contractName]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      },
    },
  };

  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport })) as SolcOutput;
  const messages = output.errors ?? [];
  const errors = messages.filter((message) => message.severity === "error");
  if (errors.length > 0)
    throw new Error(
      `solc could not compile ${sourcePath}:\n${errors.map((e) => e.formattedMessage).join("\n")}`,
    );
  for (const message of messages)
    if (message.severity === "warning") parameters.onWarning?.(message.formattedMessage);

  const contract = output.contracts?.[sourcePath]?.[contractName];
  if (!contract) throw new Error(`solc returned no ${contractName} contract for ${sourcePath}`);
  return {
    contractName,
    abi: contract.abi,
    bytecode: toHex(contract.evm.bytecode.object),
    deployedBytecode: toHex(contract.evm.deployedBytecode.object),
    solcVersion: solc.version(),
    sourceHash: keccak256(stringToBytes(source)),
  };
}

const require = createRequire(import.meta.url);

/** solc's import callback: only OpenZeppelin, read from node_modules, so no other file can leak in. */
function readImport(path: string): { contents: string } | { error: string } {
  if (!path.startsWith("@openzeppelin/")) return { error: `import ${path} is outside @openzeppelin/` };
  try {
    return { contents: readFileSync(require.resolve(path), "utf8") };
  } catch (error) {
    return { error: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function toHex(object: string): Hex {
  if (!/^([0-9a-f]{2})+$/.test(object))
    throw new Error("solc returned bytecode that is not plain hex (unlinked?)");
  return `0x${object}`;
}
