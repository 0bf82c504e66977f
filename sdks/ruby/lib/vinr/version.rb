# frozen_string_literal: true

module Vinr
  VERSION = "0.1.0"
end
