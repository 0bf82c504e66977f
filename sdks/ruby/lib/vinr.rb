# frozen_string_literal: true

# VINR's Ruby SDK (standard library only). Two ways to call the API, the same methods behind
# both:
#
#   Vinr.api_key = "sk_test_..."            # default: VINR_SECRET_KEY
#   payment = Vinr::Payment.create(amount: 5000, currency: "EUR", payment_method: "pm_card_visa")
#
#   client = Vinr::Client.new(api_key: "sk_test_...")
#   payment = client.payments.create(amount: 5000, currency: "EUR", payment_method: "pm_card_visa")

require_relative "vinr/version"
require_relative "vinr/errors"
require_relative "vinr/vinr_object"
require_relative "vinr/http_client"
require_relative "vinr/base"
require_relative "vinr/resources"
require_relative "vinr/webhooks"
require_relative "vinr/client"

module Vinr
  class << self
    # Module settings for the module style; nil means the environment's VINR_SECRET_KEY,
    # VINR_API_BASE and VINR_WEBHOOK_SECRET.
    attr_accessor :api_key, :api_base, :webhook_secret
    attr_writer :max_retries, :timeout

    def max_retries
      @max_retries || 2
    end

    def timeout
      @timeout || 30
    end

    # The client the module style uses, made again when a module setting changes.
    def default_client
      settings = [api_key, api_base, webhook_secret, max_retries, timeout]
      if @default.nil? || @default.first != settings
        client = Client.new(api_key: api_key, api_base: api_base, webhook_secret: webhook_secret,
                            max_retries: max_retries, timeout: timeout)
        @default = [settings, client]
      end
      @default.last
    end
  end
end
