# frozen_string_literal: true

require_relative "lib/vinr/version"

Gem::Specification.new do |spec|
  spec.name = "vinr"
  spec.version = Vinr::VERSION
  spec.summary = "VINR's Ruby SDK: payments, billing and loyalty against a VINR server"
  spec.authors = ["VINR"]
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb"] + ["README.md"]
  spec.require_paths = ["lib"]
  spec.metadata["rubygems_mfa_required"] = "true"
end
